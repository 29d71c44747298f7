package dev.pitstop.cli;

import dev.pitstop.core.PitstopException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "demo",
    description =
        "Show a plan, then run the procedure twice on an embedded PostgreSQL and an in-memory cluster (a success, a rollback), then once more through the operator.",
    footer = {
      "%nNeeds nothing but the JDK; starts everything itself and deletes it at the end. Runs from"
          + " a build (mvn -B -q package -DskipTests, then java -jar target/pitstop.jar demo), not"
          + " from the image, which leaves the embedded PostgreSQL and the in-memory API server"
          + " out.",
      "%nExample:%n  pitstop demo"
    })
final class DemoCommand implements Callable<Integer> {
  /**
   * The demo itself, which lives with the test fixtures it runs on: on the tests' class path it is
   * there already; {@code mvn package} puts it and its libraries in {@code target/demo/}, beside
   * {@code target/pitstop.jar}; the image has neither. So it is looked up by name, not linked.
   */
  static final String DEMO = "dev.pitstop.demo.Demo";

  static final String NOT_HERE =
      "the demo is not part of this build: the image (and a pitstop.jar without the demo/ folder"
          + " beside it) leaves out the embedded PostgreSQL and the in-memory Kubernetes API it"
          + " runs on. Run it from a source checkout: mvn -B -q package -DskipTests && java -jar"
          + " target/pitstop.jar demo";

  @Mixin HelpOption help;

  private CliEnvironment environment;

  void setEnvironment(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public Integer call() {
    ClassLoader loader = demoLoader();
    ToIntFunction<CliEnvironment> demo;
    try {
      @SuppressWarnings("unchecked")
      ToIntFunction<CliEnvironment> found =
          (ToIntFunction<CliEnvironment>)
              Class.forName(DEMO, true, loader).getConstructor().newInstance();
      demo = found;
    } catch (ClassNotFoundException | LinkageError e) {
      throw PitstopException.usage(NOT_HERE);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(DEMO + " cannot be started", e);
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // the in-memory API server finds its parts through the context class loader
    thread.setContextClassLoader(loader);
    try {
      return demo.applyAsInt(environment);
    } catch (NoClassDefFoundError e) {
      // the demo's jar is there but one of its libraries is not (a demo/ folder copied in part)
      throw PitstopException.usage(NOT_HERE + " (missing: " + e.getMessage() + ")");
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /**
   * This class's own loader when it already sees the demo (the tests); otherwise one over the jars
   * of the {@code demo/} folder beside the jar this class came from, when there is one.
   */
  private static ClassLoader demoLoader() {
    ClassLoader own = DemoCommand.class.getClassLoader();
    if (own.getResource(DEMO.replace('.', '/') + ".class") != null) {
      return own;
    }
    CodeSource source = DemoCommand.class.getProtectionDomain().getCodeSource();
    if (source == null) {
      return own;
    }
    try {
      Path folder = Path.of(source.getLocation().toURI()).resolveSibling("demo");
      if (!Files.isDirectory(folder)) {
        return own;
      }
      try (var files = Files.list(folder)) {
        URL[] jars =
            files
                .filter(file -> file.getFileName().toString().endsWith(".jar"))
                .sorted()
                .map(DemoCommand::url)
                .toArray(URL[]::new);
        return new URLClassLoader("pitstop-demo", jars, own);
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      return own;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URL url(Path file) {
    try {
      return file.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
