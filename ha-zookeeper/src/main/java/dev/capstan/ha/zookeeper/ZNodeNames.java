package dev.capstan.ha.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Turns policy ids into ZooKeeper node names, the same way on every member. */
final class ZNodeNames {
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.-]{1,100}");

  private ZNodeNames() {}

  /**
   * Returns {@code id} itself when it is a plain name, otherwise {@code "x-"} and its UTF-8 bytes in hex
   * (ZooKeeper refuses {@code /}, {@code .} and {@code ..}; the prefix keeps the two forms apart).
   */
  static String of(String id) {
    boolean plain = SAFE.matcher(id).matches() && !id.startsWith("x-") && !id.equals(".") && !id.equals("..");
    return plain ? id : "x-" + HexFormat.of().formatHex(id.getBytes(StandardCharsets.UTF_8));
  }

  /** Joins a parent path and a child name. */
  static String child(String parent, String name) {
    return parent.endsWith("/") ? parent + name : parent + "/" + name;
  }
}
