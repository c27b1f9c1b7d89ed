package org.cunicu4j.ice;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ListenerDispatchTest {

    @Test
    void aRefusingExecutorNeitherThrowsNorStopsLaterDelivery() {
        AtomicInteger refusals = new AtomicInteger(1);
        ListenerDispatch d = new ListenerDispatch(task -> {
            if (refusals.getAndDecrement() > 0) {
                throw new RejectedExecutionException("shut down");
            }
            task.run();
        });
        List<IceState> seen = new CopyOnWriteArrayList<>();
        d.add(new IceListener() {
            @Override
            public void stateChanged(IceState from, IceState to) {
                seen.add(to);
            }
        });
        d.emit(l -> l.stateChanged(IceState.NEW, IceState.CHECKING)); // refused: must not throw
        assertThat(seen).isEmpty();
        d.emit(l -> l.stateChanged(IceState.CHECKING, IceState.CONNECTED));
        assertThat(seen).containsExactly(IceState.CHECKING, IceState.CONNECTED);
    }
}
