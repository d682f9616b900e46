package dev.capstan.agent;

import dev.capstan.internal.IoReasons;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's exclusive hold on its state directory: an OS file lock on {@value #FILE} inside it, whose
 * text says who holds it ({@code pid 4242 on host-a since 2026-...}). Two agents on one directory would
 * each overwrite the other's cooldowns and scale-in journal, so the second one refuses to start and
 * names the first. The operating system releases the lock when the holder exits, however it exits, so
 * a crash leaves no stale lock behind (only its text, which the next holder replaces).
 *
 * <p>The lock is {@link FileChannel#tryLock() an advisory lock} held by the process; within one JVM a
 * second attempt on the same file is refused too ({@link OverlappingFileLockException}), so two agents
 * in one process are kept apart the same way.
 */
final class StateDirLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StateDirLock.class);

  /** The lock file's name inside the state directory. */
  static final String FILE = "capstan.lock";

  /** Another agent holds the state directory; the message names it. */
  static final class LockedException extends IOException {
    private static final long serialVersionUID = 1L;

    LockedException(String message) {
      super(message);
    }
  }

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private StateDirLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed and takes its lock, writing this process's pid and host into it.
   *
   * @param dir the state directory
   * @return the held lock; {@link #close()} releases it
   * @throws LockedException if another agent holds it; the message names the directory and the holder
   * @throws IOException if the directory or the lock file cannot be created or written
   */
  static StateDirLock acquire(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      // Not TRUNCATE_EXISTING: until the lock is ours, the text is the holder's and names it.
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException("the state directory " + dir + " cannot be locked: " + IoReasons.of(e), e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw new IOException("the state directory " + dir + " cannot be locked: " + IoReasons.of(e), e);
    }
    if (lock == null) {
      String holder = holder(channel);
      channel.close();
      throw new LockedException("the state directory " + dir + " is in use by another agent ("
          + (holder.isEmpty() ? "its pid is not recorded" : holder) + "); give each agent its own -state-dir");
    }
    try {
      byte[] text = (whoAmI() + "\n").getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(text), 0);
      channel.force(true);
    } catch (IOException e) {
      lock.release();
      channel.close();
      throw new IOException("the state directory " + dir + " cannot be locked: " + IoReasons.of(e), e);
    }
    return new StateDirLock(file, channel, lock);
  }

  /** {@code pid N on HOST since INSTANT}: what the lock file says about this process. */
  static String whoAmI() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "an unknown host";
    }
    return "pid " + ProcessHandle.current().pid() + " on " + host + " since " + Instant.now();
  }

  /** The holder's line of the lock file, or empty when it wrote none (yet). */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(512);
      channel.read(buffer, 0);
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "";
    }
  }

  /** Releases the lock; the file stays, so a directory listing still shows who held it last. */
  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      LOG.warn("releasing the lock {} failed", file, e);
    }
  }
}
