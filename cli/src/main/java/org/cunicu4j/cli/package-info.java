/**
 * The {@code cunicu4j} command line: {@link org.cunicu4j.cli.Main} assembles one picocli
 * command per class ({@code version}, {@code wg genkey|pubkey|genpsk}, ...), maps failures
 * to exit codes (0 ok, 1 error with a one-line message, 2 usage) and is the entry point of
 * the runnable jar that {@code bin/cunicu4j} starts.
 */
package org.cunicu4j.cli;
