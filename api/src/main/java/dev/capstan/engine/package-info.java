/**
 * The engine's timing seam: {@link dev.capstan.engine.Scheduler}, so embedders and tests can drive
 * evaluations on their own clock. The engine itself ({@code Autoscaler}, {@code Decider}, state
 * stores) lives in capstan-core, in this same package.
 */
package dev.capstan.engine;
