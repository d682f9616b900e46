package dev.capstan.agent;

/**
 * A backtest's inputs do not fit together: a history file with a bad cell, a check nobody declared
 * as capacity-independent or utilization, a check without recorded data, a sweep of an unknown
 * attribute. The message says where (file, line, column; policy, check) and what is expected.
 */
public final class BacktestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message where the problem is and what is expected
   */
  public BacktestException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message where the problem is and what is expected
   * @param cause what failed underneath, e.g. an I/O error or a failed Prometheus query
   */
  public BacktestException(String message, Throwable cause) {
    super(message, cause);
  }
}
