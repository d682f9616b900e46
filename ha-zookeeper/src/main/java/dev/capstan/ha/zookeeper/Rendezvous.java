package dev.capstan.ha.zookeeper;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;

/**
 * Rendezvous (highest random weight) hashing: a policy belongs to the member whose hash of
 * {@code (member, policy)} is highest. Every member computes the same owner from the same member list,
 * with no writes; when a member leaves only its policies move (each to its own runner-up), and when one
 * joins it takes about {@code 1/n} of the policies, evenly from the others — the fewest moves possible.
 */
final class Rendezvous {
  private Rendezvous() {}

  /** Returns the owner of {@code policyId} among {@code members}, or empty when there is none. */
  static Optional<String> owner(Collection<String> members, String policyId) {
    String best = null;
    long bestScore = 0;
    for (String member : members) {
      long score = score(member, policyId);
      // Ties (astronomically rare) go to the smaller name, so every member still agrees.
      if (best == null || Long.compareUnsigned(score, bestScore) > 0
          || (score == bestScore && member.compareTo(best) < 0)) {
        best = member;
        bestScore = score;
      }
    }
    return Optional.ofNullable(best);
  }

  /** FNV-1a over {@code member \0 policy}, then MurmurHash3's 64-bit finalizer to spread the bits. */
  static long score(String member, String policyId) {
    long h = 0xcbf29ce484222325L;
    h = fnv(h, member.getBytes(StandardCharsets.UTF_8));
    h = (h ^ 0) * 0x100000001b3L;
    h = fnv(h, policyId.getBytes(StandardCharsets.UTF_8));
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private static long fnv(long h, byte[] bytes) {
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }
}
