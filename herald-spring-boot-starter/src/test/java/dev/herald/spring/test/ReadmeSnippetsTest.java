package dev.herald.spring.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Every Java snippet in the README compiles against the code as it is, so the examples a new user
 * copies work. Each snippet is compiled on its own, inside a class that declares the few things
 * the README leaves to the reader (an {@code Order}, a {@code Sessions} service, the injected
 * {@code EventStreams}); anything else it uses must exist.
 */
class ReadmeSnippetsTest {

    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    private static final String IMPORTS = """
            import dev.herald.core.*;
            import dev.herald.http.*;
            import dev.herald.servlet.*;
            import jakarta.servlet.http.HttpServletRequest;
            import jakarta.servlet.http.HttpServletResponse;
            import java.io.IOException;
            import java.security.Principal;
            import org.springframework.context.annotation.Bean;
            import org.springframework.stereotype.Service;
            import org.springframework.web.bind.annotation.GetMapping;
            """;

    /** What the README's snippets take as given. */
    private static final String GIVEN = """
                record Order(String id, String customerId) {}
                interface Sessions { String userOf(String sessionId); }
                EventStreams streams;
            """;

    @Test
    void everyJavaSnippetInTheReadmeCompiles() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        List<JavaFileObject> units = new ArrayList<>();
        Matcher block = JAVA_BLOCK.matcher(readme);
        while (block.find()) {
            String name = "Snippet" + units.size();
            String source = "package readme;\n" + IMPORTS + "class " + name + " {\n" + GIVEN + block.group(1) + "\n}\n";
            units.add(new SimpleJavaFileObject(URI.create("string:///readme/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return source;
                }
            });
        }
        assertThat(units).as("Java snippets in the README").hasSizeGreaterThanOrEqualTo(3);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter errors = new StringWriter();
        Path out = Files.createTempDirectory("readme-snippets");
        boolean compiled = compiler.getTask(errors, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-proc:none"), null, units).call();

        assertThat(compiled).as("the README's Java snippets compile:%n%s", errors).isTrue();
    }
}
