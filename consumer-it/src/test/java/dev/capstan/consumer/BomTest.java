package dev.capstan.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

final class BomTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Pattern JACKSON = Pattern.compile("<jackson\\.version>([^<]+)</jackson\\.version>");

  @Test
  void bom_jacksonVersion_isTheOneTheBuildUses() throws IOException {
    // capstan-bom has no parent (consumers must not inherit our build), so it repeats the version.
    assertThat(jackson(ROOT.resolve("bom/pom.xml"))).isEqualTo(jackson(ROOT.resolve("pom.xml")));
  }

  private static String jackson(Path pom) throws IOException {
    Matcher m = JACKSON.matcher(Files.readString(pom));
    assertThat(m.find()).as("jackson.version in %s", pom).isTrue();
    return m.group(1);
  }
}
