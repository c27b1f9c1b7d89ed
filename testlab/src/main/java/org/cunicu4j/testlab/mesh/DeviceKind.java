package org.cunicu4j.testlab.mesh;

/** Which WireGuard device each peer of a {@link MeshLab} runs. */
public enum DeviceKind {
    /**
     * cunicu4j's own userspace device: the daemon creates it from the config
     * ({@code userspace: true}); port sharing through the Bind (BindProxy).
     */
    OURS,
    /**
     * wireguard-go, started by the lab with the peer's private key and listen port set by
     * {@code wg set}; the daemon adopts it through UAPI (UserspaceProxy).
     */
    WIREGUARD_GO
}
