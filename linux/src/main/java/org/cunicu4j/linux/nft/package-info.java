/**
 * A binding of libnftables (the library behind the {@code nft} tool) called with FFM: one
 * entry point, {@link org.cunicu4j.linux.nft.Libnftables#run}, that hands a command buffer
 * (nft's syntax or its JSON form) to {@code nft_run_cmd_from_buffer} and returns nft's
 * output, or throws {@link org.cunicu4j.linux.nft.NftException} with nft's error text.
 */
package org.cunicu4j.linux.nft;
