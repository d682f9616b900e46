package dev.capstan.spi;

/** Thrown by a {@link Target} whose group could not be read or scaled; the message names the group. */
public class TargetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the group and the cloud's own reason
   */
  public TargetException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what failed, naming the group and the cloud's own reason
   * @param cause the underlying failure
   */
  public TargetException(String message, Throwable cause) {
    super(message, cause);
  }
}
