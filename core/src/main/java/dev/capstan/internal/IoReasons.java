package dev.capstan.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Says in a few words why a file operation failed, for messages such as
 * {@code agent file /etc/capstan.hcl cannot be read: no such file}: the JDK's exceptions carry the
 * reason in their type ({@link NoSuchFileException}'s message is only the path, which the caller's
 * message already names). Not API.
 */
public final class IoReasons {
  private IoReasons() {}

  /**
   * Returns the reason of an I/O failure: {@code no such file}, {@code permission denied},
   * {@code not a directory}, ... or, for other exceptions, the operating system's words (its
   * {@link FileSystemException#getReason()}) or the message, with the exception's simple name when
   * there is nothing else.
   *
   * @param e the failure; an {@link UncheckedIOException} stands for its cause
   * @return the reason, never empty
   */
  public static String of(Throwable e) {
    Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
    if (t instanceof NoSuchFileException) {
      return "no such file";
    }
    if (t instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (t instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (t instanceof FileAlreadyExistsException) {
      return "a file of that name already exists";
    }
    if (t instanceof DirectoryNotEmptyException) {
      return "the directory is not empty";
    }
    if (t instanceof FileSystemLoopException) {
      return "a loop of symbolic links";
    }
    if (t instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason().strip();
    }
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t instanceof IOException ? "an I/O error (" + t.getClass().getSimpleName() + ")"
          : t.getClass().getSimpleName();
    }
    return message.strip();
  }
}
