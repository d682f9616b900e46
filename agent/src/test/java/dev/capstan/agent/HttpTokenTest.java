package dev.capstan.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class HttpTokenTest {
  private static final String SECRET = "6f1c2a9e0b7d4c3e8a5f";

  @TempDir
  Path dir;

  @Test
  void read_fileWithTrailingNewline_admitsTheBearerToken() throws IOException {
    HttpToken token = HttpToken.read(Files.writeString(dir.resolve("token"), SECRET + "\n"));

    assertThat(token.admits("Bearer " + SECRET)).isTrue();
    assertThat(token.admits("bearer " + SECRET)).isTrue();
  }

  @Test
  void admits_missingWrongOrOtherScheme_refused() throws IOException {
    HttpToken token = HttpToken.read(Files.writeString(dir.resolve("token"), SECRET));

    assertThat(token.admits(null)).isFalse();
    assertThat(token.admits("Bearer " + SECRET.substring(1))).isFalse();
    assertThat(token.admits("Bearer " + SECRET + "0")).isFalse();
    assertThat(token.admits("Basic " + SECRET)).isFalse();
    assertThat(token.admits(SECRET)).isFalse();
  }

  @Test
  void read_shortOrMissingFile_namesTheFileButNeverTheContent() throws IOException {
    Path shortFile = Files.writeString(dir.resolve("short"), "hunter2");

    assertThatThrownBy(() -> HttpToken.read(shortFile)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http token_file '" + shortFile + "' holds 7 characters but it must hold one token "
            + "of at least 16 characters").hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> HttpToken.read(dir.resolve("absent"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("http token_file '" + dir.resolve("absent") + "' cannot be read: NoSuchFileException");
    assertThat(HttpToken.read(Files.writeString(dir.resolve("t"), SECRET)).toString()).doesNotContain(SECRET);
  }

  @Test
  void exposureWarning_onlyForAnAddressBeyondLoopbackWithoutAToken() throws IOException {
    HttpToken token = HttpToken.read(Files.writeString(dir.resolve("token"), SECRET));

    assertThat(HttpToken.exposureWarning("0.0.0.0", Optional.empty())).get().asString()
        .startsWith("the HTTP API listens on 0.0.0.0 without a token");
    assertThat(HttpToken.exposureWarning("0.0.0.0", Optional.of(token))).isEmpty();
    assertThat(HttpToken.exposureWarning("127.0.0.1", Optional.empty())).isEmpty();
    assertThat(HttpToken.exposureWarning("localhost", Optional.empty())).isEmpty();
    assertThat(HttpToken.exposureWarning("::1", Optional.empty())).isEmpty();
  }
}
