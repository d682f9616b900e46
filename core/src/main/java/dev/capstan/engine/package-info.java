/**
 * The engine: a pure decision function ({@link dev.capstan.engine.Decider}) and the loop around it
 * ({@link dev.capstan.engine.Autoscaler}) that gathers inputs, applies decisions, keeps per-policy
 * state in a {@link dev.capstan.engine.StateStore} and reports every
 * {@link dev.capstan.engine.ScalingDecision} to {@link dev.capstan.engine.ScalingListener}s.
 */
package dev.capstan.engine;
