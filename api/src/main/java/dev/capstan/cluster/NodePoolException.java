package dev.capstan.cluster;

/** Thrown by a {@link NodePool} whose scheduler refused or failed a call; the message names the node. */
public class NodePoolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message what failed, naming the node
   */
  public NodePoolException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a cause.
   *
   * @param message what failed, naming the node
   * @param cause the underlying failure
   */
  public NodePoolException(String message, Throwable cause) {
    super(message, cause);
  }
}
