package dev.capstan.spi;

/** Thrown by a {@link MetricSource} that could not answer a query; the message says why and what to do. */
public class MetricSourceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what went wrong, naming the query and the source
   */
  public MetricSourceException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what went wrong, naming the query and the source
   * @param cause the underlying failure
   */
  public MetricSourceException(String message, Throwable cause) {
    super(message, cause);
  }
}
