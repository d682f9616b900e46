package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the repository's {@code ./capstan} script in a copy of the repository's layout, with a
 * {@code mvnw} that records its calls and builds a jar of the version in {@code version.txt}, and a
 * {@code java} that prints the jar it was given. Modification times are set, never waited for.
 */
final class CapstanScriptTest {
  private static final Instant OLD = Instant.now().minusSeconds(1_000);
  private static final Instant BUILT = Instant.now().minusSeconds(500);

  @TempDir
  Path root;

  private Path bin;

  @BeforeEach
  void layOut() throws IOException {
    Files.copy(Path.of("..", "capstan").toAbsolutePath(), root.resolve("capstan"));
    executable(root.resolve("capstan"));
    write("version.txt", "0.1.0");
    write("pom.xml", "<project/>");
    write("agent/pom.xml", "<project/>");
    write("core/src/main/java/A.java", "class A {}");
    write("core/src/main/java/B.java", "class B {}");
    write("examples/policies/web.hcl", "scaling \"web\" {}");
    write("mvnw", "#!/usr/bin/env bash\necho \"$*\" >> mvnw.log\nmkdir -p agent/target\n"
        + "touch \"agent/target/capstan-agent-$(cat version.txt)-all.jar\"\n");
    executable(root.resolve("mvnw"));
    bin = Files.createDirectories(root.resolve("fake-bin"));
    Files.writeString(bin.resolve("java"), "#!/usr/bin/env bash\necho \"java $*\"\n");
    executable(bin.resolve("java"));
    jar("0.1.0", BUILT);
    age(root, OLD);
  }

  @Test
  void capstan_upToDateJar_runsItWithoutBuilding() throws Exception {
    String out = run();

    assertThat(out).endsWith("capstan-agent-0.1.0-all.jar simulate");
    assertThat(root.resolve("mvnw.log")).doesNotExist();
  }

  @Test
  void capstan_versionBumped_runsTheNewJarNotTheOldOne() throws Exception {
    write("version.txt", "0.2.0");
    Files.setLastModifiedTime(write("agent/pom.xml", "<project><version>0.2.0</version></project>"),
        FileTime.from(Instant.now()));

    String first = run();
    String second = run();

    assertThat(first).endsWith("capstan-agent-0.2.0-all.jar simulate");
    assertThat(second).endsWith("capstan-agent-0.2.0-all.jar simulate");
    assertThat(Files.readAllLines(root.resolve("mvnw.log"))).hasSize(1);
  }

  @Test
  void capstan_sourceFileDeleted_rebuilds() throws Exception {
    Files.delete(root.resolve("core/src/main/java/B.java"));

    run();

    assertThat(root.resolve("mvnw.log")).exists();
  }

  private String run() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("capstan").toString(), "simulate")
        .directory(root.toFile())
        .redirectErrorStream(true);
    pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    return lines.get(lines.size() - 1);
  }

  private void jar(String version, Instant time) throws IOException {
    Path jar = write("agent/target/capstan-agent-" + version + "-all.jar", "jar");
    Files.setLastModifiedTime(jar, FileTime.from(time));
  }

  private Path write(String relative, String text) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  /** Dates every source file and directory before the jar was built; the jar keeps its own time. */
  private static void age(Path dir, Instant time) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        if (!p.getFileName().toString().endsWith(".jar")) {
          Files.setLastModifiedTime(p, FileTime.from(time));
        }
      }
    }
  }

  private static void executable(Path file) throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
