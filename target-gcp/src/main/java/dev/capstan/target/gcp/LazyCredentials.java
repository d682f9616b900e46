package dev.capstan.target.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.auth.Credentials;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Credentials resolved at the first request instead of when the clients are built: the client
 * library asks its credentials provider while it builds a client, and Application Default
 * Credentials may then ask the GCE metadata server, so without this creating a {@code gce-mig}
 * target (and {@code capstan validate}) would reach the network, and fail off GCE.
 *
 * <p>A provider that resolves to none (tests' {@code NoCredentialsProvider}) signs nothing. A
 * resolution that fails is reported at each request, naming the {@code credentials} key, and tried
 * again at the next one (a metadata server may come up later).
 */
final class LazyCredentials extends Credentials {
  private static final long serialVersionUID = 1L;

  private final transient CredentialsProvider provider;
  private transient volatile Credentials resolved;
  private transient volatile boolean none;

  private LazyCredentials(CredentialsProvider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
  }

  /** A provider of credentials that resolve themselves through {@code provider} on first use. */
  static CredentialsProvider of(CredentialsProvider provider) {
    LazyCredentials lazy = new LazyCredentials(provider);
    return () -> lazy;
  }

  private Credentials delegate() throws IOException {
    Credentials c = resolved;
    if (c != null || none) {
      return c;
    }
    synchronized (this) {
      if (resolved == null && !none) {
        try {
          resolved = provider.getCredentials();
        } catch (IOException | RuntimeException e) {
          throw new IOException("gce-mig: no Google credentials could be loaded (set credentials to a "
              + "service-account key file, or configure Application Default Credentials): " + e.getMessage(), e);
        }
        none = resolved == null;
      }
      return resolved;
    }
  }

  @Override
  public String getAuthenticationType() {
    return "OAuth2";
  }

  @Override
  public String getUniverseDomain() throws IOException {
    Credentials c;
    try {
      c = delegate();
    } catch (IOException e) {
      // The client checks the universe first and hides the reason; the metadata request reports it.
      return super.getUniverseDomain();
    }
    return c == null ? super.getUniverseDomain() : c.getUniverseDomain();
  }

  @Override
  public Map<String, List<String>> getRequestMetadata(URI uri) throws IOException {
    Credentials c = delegate();
    return c == null ? Map.of() : c.getRequestMetadata(uri);
  }

  @Override
  public boolean hasRequestMetadata() {
    return true;
  }

  @Override
  public boolean hasRequestMetadataOnly() {
    return true;
  }

  @Override
  public void refresh() throws IOException {
    Credentials c = delegate();
    if (c != null) {
      c.refresh();
    }
  }
}
