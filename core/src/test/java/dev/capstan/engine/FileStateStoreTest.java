package dev.capstan.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.spi.Direction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FileStateStoreTest {
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  private static final PolicyState STATE =
      new PolicyState(Optional.of(new PolicyState.LastAction(4, Direction.UP, AT)), AT.plusSeconds(300));

  @TempDir
  Path dir;

  @Test
  void save_thenReopen_stateSurvives() {
    FileStateStore.open(dir).save("p1", STATE);

    assertThat(FileStateStore.open(dir).load("p1")).isEqualTo(STATE);
  }

  @Test
  void load_unknownPolicy_initial() {
    assertThat(StateStore.file(dir).load("nope")).isEqualTo(PolicyState.INITIAL);
  }

  @Test
  void save_leavesNoTempFiles() throws IOException {
    FileStateStore store = FileStateStore.open(dir);
    store.save("p1", STATE);
    store.save("p1", PolicyState.INITIAL);

    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("p1.json");
    }
  }

  @Test
  void crashMidWrite_leftoverTempFileIsIgnored() throws IOException {
    FileStateStore.open(dir).save("p1", STATE);
    // What a crash between writing the temp file and renaming it leaves behind.
    Files.writeString(dir.resolve("p1.json12345.tmp"), "{\"cooldownUntil\":\"garb", StandardCharsets.UTF_8);

    assertThat(FileStateStore.open(dir).load("p1")).isEqualTo(STATE);
  }

  @Test
  void corruptFile_reportedNamingTheFile() throws IOException {
    Files.writeString(dir.resolve("p1.json"), "{not json", StandardCharsets.UTF_8);

    assertThatThrownBy(() -> FileStateStore.open(dir).load("p1"))
        .isInstanceOf(UncheckedIOException.class).hasMessageContaining("p1.json");
  }

  @Test
  void entries_putGetRemove_surviveReopenAlongsideState() {
    FileStateStore store = FileStateStore.open(dir);
    store.save("p1", STATE);
    store.put("p1", "scale-in.journal", "{\"nodes\":[\"a\",\"b\"]}");
    store.put("p1", "other", "1");
    store.remove("p1", "other");

    FileStateStore reopened = FileStateStore.open(dir);
    assertThat(reopened.get("p1", "scale-in.journal")).hasValue("{\"nodes\":[\"a\",\"b\"]}");
    assertThat(reopened.get("p1", "other")).isEmpty();
    assertThat(reopened.load("p1")).isEqualTo(STATE);
  }

  @Test
  void policyIdThatIsNoFileName_isEncoded() {
    FileStateStore store = FileStateStore.open(dir);
    store.save("../evil id", STATE);

    assertThat(store.fileOf("../evil id").getParent()).isEqualTo(dir);
    assertThat(FileStateStore.open(dir).load("../evil id")).isEqualTo(STATE);
  }

  @Test
  void inMemory_entriesAndState() {
    StateStore store = StateStore.inMemory();
    store.save("p", STATE);
    store.put("p", "k", "{}");
    store.remove("p", "missing");

    assertThat(store.load("p")).isEqualTo(STATE);
    assertThat(store.get("p", "k")).hasValue("{}");
    assertThat(store.load("other")).isEqualTo(PolicyState.INITIAL);
  }
}
