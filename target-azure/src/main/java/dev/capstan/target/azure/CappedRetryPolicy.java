package dev.capstan.target.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.identity.CredentialUnavailableException;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * Retries a Resource Manager call that was throttled or failed transiently, within the configured
 * {@code retry_attempts}, {@code retry_delay} and {@code max_retry_delay}.
 *
 * <p>The rules, in order:
 * <ol>
 *   <li>Retried: responses 408, 429 and 5xx other than 501 and 505; I/O errors and timeouts. Nothing
 *       else (a 4xx is the caller's mistake, and asking again cannot change the answer).</li>
 *   <li>Never retried: a refused credential (see {@link #refusedCredential}).</li>
 *   <li>The wait before attempt {@code n + 1} is the server's {@code retry-after-ms},
 *       {@code x-ms-retry-after-ms} or {@code Retry-After} (seconds or an HTTP date) when it sends one,
 *       else {@code retry_delay × 2^(n-1)}; either way at most {@code max_retry_delay}, so a throttled
 *       call cannot stall an evaluation for as long as the server asks.</li>
 * </ol>
 *
 * <p>It replaces azure-core's {@code RetryPolicy}, which neither caps {@code Retry-After} nor stays
 * quiet: it logs an ERROR line of its own when the last attempt fails, before the caller reports the
 * same failure. This policy logs nothing; the target's exception is the one report.
 */
final class CappedRetryPolicy implements HttpPipelinePolicy {
  private final int attempts;
  private final Duration retryDelay;
  private final Duration maxRetryDelay;

  /**
   * Creates the policy.
   *
   * @param attempts the most attempts of one call, the first included (at least 1)
   * @param retryDelay the first back-off
   * @param maxRetryDelay the longest wait, whatever the server asks
   */
  CappedRetryPolicy(int attempts, Duration retryDelay, Duration maxRetryDelay) {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts was " + attempts + " but it must be at least 1");
    }
    this.attempts = attempts;
    this.retryDelay = retryDelay;
    this.maxRetryDelay = maxRetryDelay;
  }

  @Override
  public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
    return attempt(next, 1);
  }

  private Mono<HttpResponse> attempt(HttpPipelineNextPolicy next, int attempt) {
    return next.clone().process()
        .map(Outcome::of)
        .onErrorResume(e -> Mono.just(Outcome.failed(e)))
        .flatMap(outcome -> {
          Duration wait = waitBefore(outcome, attempt);
          if (wait == null) {
            return outcome.response == null ? Mono.error(outcome.error) : Mono.just(outcome.response);
          }
          if (outcome.response != null) {
            outcome.response.close();
          }
          return Mono.delay(wait).then(Mono.defer(() -> attempt(next, attempt + 1)));
        });
  }

  @Override
  public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
    for (int attempt = 1; ; attempt++) {
      Outcome outcome;
      try {
        outcome = Outcome.of(next.clone().processSync());
      } catch (RuntimeException e) {
        outcome = Outcome.failed(e);
      }
      Duration wait = waitBefore(outcome, attempt);
      if (wait == null) {
        if (outcome.response != null) {
          return outcome.response;
        }
        throw (RuntimeException) outcome.error;
      }
      if (outcome.response != null) {
        outcome.response.close();
      }
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting to retry an Azure request", e);
      }
    }
  }

  /** The wait before the next attempt, or {@code null} when this outcome is final. */
  Duration waitBefore(Outcome outcome, int attempt) {
    if (attempt >= attempts) {
      return null;
    }
    if (outcome.response != null) {
      if (!retriable(outcome.response.getStatusCode())) {
        return null;
      }
      Duration asked = retryAfter(outcome.response.getHeaders());
      return cap(asked != null ? asked : backoff(attempt));
    }
    return retriable(outcome.error) ? cap(backoff(attempt)) : null;
  }

  private Duration backoff(int attempt) {
    // retry_delay × 2^(attempt-1), without overflow: past the cap the exact value does not matter.
    int doublings = Math.min(attempt - 1, 30);
    return retryDelay.multipliedBy(1L << doublings);
  }

  private Duration cap(Duration wait) {
    return wait.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : wait.isNegative() ? Duration.ZERO : wait;
  }

  static boolean retriable(int status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501 && status != 505);
  }

  static boolean retriable(Throwable error) {
    if (refusedCredential(error)) {
      return false;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether an error is a credential the token endpoint refused: asking again with the same secret
   * cannot succeed. That is the token endpoint's own answer (an MSAL service error with a 4xx status
   * other than 408 and 429, e.g. AADSTS7000215's 401), a credential that is unavailable, or an
   * authentication failure that carries no service status.
   */
  static boolean refusedCredential(Throwable error) {
    boolean authentication = false;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof MsalServiceException msal && msal.statusCode() != null) {
        int status = msal.statusCode();
        return status >= 400 && status < 500 && status != 408 && status != 429;
      }
      if (t instanceof CredentialUnavailableException) {
        return true;
      }
      authentication |= t instanceof ClientAuthenticationException;
    }
    return authentication;
  }

  /** The server's requested wait: milliseconds headers first, then {@code Retry-After}; null if none. */
  static Duration retryAfter(HttpHeaders headers) {
    for (String name : new String[] {"retry-after-ms", "x-ms-retry-after-ms"}) {
      String ms = headers.getValue(com.azure.core.http.HttpHeaderName.fromString(name));
      if (ms != null) {
        try {
          return Duration.ofMillis(Long.parseLong(ms.strip()));
        } catch (NumberFormatException e) {
          // Not a number: try the next header.
        }
      }
    }
    String value = headers.getValue(com.azure.core.http.HttpHeaderName.RETRY_AFTER);
    if (value == null) {
      return null;
    }
    try {
      return Duration.ofSeconds(Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      try {
        return Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value.strip(),
            DateTimeFormatter.RFC_1123_DATE_TIME));
      } catch (DateTimeParseException unparsable) {
        return null;
      }
    }
  }

  /** One attempt's result: a response or an error. */
  static final class Outcome {
    final HttpResponse response;
    final Throwable error;

    private Outcome(HttpResponse response, Throwable error) {
      this.response = response;
      this.error = error;
    }

    static Outcome of(HttpResponse response) {
      return new Outcome(response, null);
    }

    static Outcome failed(Throwable error) {
      return new Outcome(null, error);
    }
  }
}
