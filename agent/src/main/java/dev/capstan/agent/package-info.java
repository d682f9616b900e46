/**
 * The Capstan command line: {@code simulate} (the engine on virtual time against a simulated cloud),
 * {@code validate} (policy files) and {@code run} (the agent). Start it with {@link dev.capstan.agent.Main}.
 */
package dev.capstan.agent;
