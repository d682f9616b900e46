/**
 * The stock strategies, with nomad-autoscaler's semantics: {@code target-value}, {@code threshold},
 * {@code fixed-value} and {@code pass-through}.
 *
 * <p>Each is found by name through {@link dev.capstan.Plugins#strategy} or built directly with a
 * provider's {@code create(Map)} or a {@link dev.capstan.strategy.Strategies} factory. Every
 * {@code desiredCount} runs without allocating; reasons come only from {@code explain}.
 */
package dev.capstan.strategy;
