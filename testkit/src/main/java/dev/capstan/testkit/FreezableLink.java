package dev.capstan.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP relay in front of a server (a ZooKeeper server, say) that can {@link #freeze}: it then
 * keeps every connection open but passes no byte, as a server stopped with {@code SIGSTOP}, a killed
 * client whose packets no longer arrive, or a silent partition would. A ZooKeeper client cannot tell
 * until its read timeout (two thirds of the session timeout); the server expires its session.
 */
public final class FreezableLink implements AutoCloseable {
  private final ServerSocket listener;
  private final int serverPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile boolean frozen;

  /**
   * Starts relaying from a free loopback port to {@code serverPort} on loopback.
   *
   * @param serverPort where the real server listens
   * @throws IOException if no port can be opened
   */
  public FreezableLink(int serverPort) throws IOException {
    this.serverPort = serverPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "freezable-link");
    accept.setDaemon(true);
    accept.start();
  }

  /**
   * Returns the address that goes through this link.
   *
   * @return {@code 127.0.0.1:<port>}
   */
  public String connectString() {
    return "127.0.0.1:" + listener.getLocalPort();
  }

  /** Stops passing bytes, in both directions, on every connection, until {@link #close}. */
  public void freeze() {
    frozen = true;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket();
        server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
        sockets.add(client);
        sockets.add(server);
        pump(client, server);
        pump(server, client);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[8192];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (gate) {
            while (frozen) {
              gate.wait();
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // Closed.
      }
    }, "freezable-link-pump");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Closes the listener and every connection.
   *
   * @throws IOException if a socket cannot be closed
   */
  @Override
  public void close() throws IOException {
    frozen = false;
    listener.close();
    for (Socket s : sockets) {
      s.close();
    }
    synchronized (gate) {
      gate.notifyAll();
    }
  }
}
