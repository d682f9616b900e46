package dev.capstan.nomad;

/**
 * Nomad refused a request, or could not be reached ({@link #status()} 0). The message holds Nomad's
 * own error text and the request, never a header.
 */
final class NomadApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String nomadText;

  NomadApiException(int status, String nomadText, String request) {
    super(status == 0 ? nomadText + " (" + request + ")"
        : "Nomad answered " + status + " " + nomadText + " (" + request + ")");
    this.status = status;
    this.nomadText = nomadText;
  }

  /** The HTTP status, 0 when Nomad was not reached. */
  int status() {
    return status;
  }

  /** Nomad's error text, e.g. {@code node not found}. */
  String nomadText() {
    return nomadText;
  }
}
