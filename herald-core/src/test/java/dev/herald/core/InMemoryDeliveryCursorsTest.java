package dev.herald.core;

import dev.herald.core.testing.DeliveryCursorsContract;

class InMemoryDeliveryCursorsTest extends DeliveryCursorsContract {

    @Override
    protected DeliveryCursors createCursors() {
        return DeliveryCursors.inMemory();
    }
}
