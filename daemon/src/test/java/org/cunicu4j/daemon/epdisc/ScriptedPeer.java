package org.cunicu4j.daemon.epdisc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cunicu4j.signaling.backend.SignalingBackend;
import org.cunicu4j.signaling.backend.Subscription;
import org.cunicu4j.signaling.proto.signaling.Message;
import org.cunicu4j.signaling.seal.KeyPair;
import org.cunicu4j.wireguard.Key;

/** A peer played by the test: sends what it is told and records what it receives. */
final class ScriptedPeer implements AutoCloseable {
    final Key privateKey = Key.generatePrivate();
    final Key publicKey = privateKey.publicKey();
    final List<Message> received = new CopyOnWriteArrayList<>();
    private final SignalingBackend backend;
    private final KeyPair toTarget;
    private final Subscription subscription;

    ScriptedPeer(SignalingBackend backend, Key target) {
        this.backend = backend;
        this.toTarget = KeyPair.of(privateKey, target);
        this.subscription = backend.subscribe(toTarget, o -> received.add(o.message()));
    }

    void send(Message m) {
        backend.publish(m, toTarget).join();
    }

    List<Message> credentials() {
        return received.stream().filter(Message::hasCredentials).toList();
    }

    List<Message> candidates() {
        return received.stream().filter(Message::hasCandidate).toList();
    }

    @Override
    public void close() {
        subscription.close();
    }
}
