package org.cunicu4j.ice;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The check list of one agent (RFC 8445 §6.1.2): forms pairs from local and remote
 * candidates (same component, same address family), prunes them (a server-reflexive
 * local candidate is replaced by its base, redundant pairs are dropped), orders them by
 * priority and unfreezes them by foundation. Not thread-safe: guarded by the agent's lock.
 */
final class CheckList {
    private static final Comparator<CheckPair> BY_PRIORITY_DESC =
            (a, b) -> Long.compareUnsigned(b.priority, a.priority);

    private final List<CheckPair> pairs = new ArrayList<>();
    private final int maxPairs;
    private IceRole role;
    private boolean started;

    CheckList(IceRole role, int maxPairs) {
        this.role = role;
        this.maxPairs = maxPairs;
    }

    List<CheckPair> pairs() {
        return pairs;
    }

    void clear() {
        pairs.clear();
        started = false;
    }

    void setRole(IceRole role) {
        this.role = role;
        for (CheckPair p : pairs) {
            p.recomputePriority(role);
        }
        pairs.sort(BY_PRIORITY_DESC);
    }

    /**
     * Pairs {@code local} with {@code remote} after pruning, unless the pair would be
     * redundant with one already there; returns the new pair, or null.
     *
     * @param locals all local candidates, to find a server-reflexive candidate's base
     */
    CheckPair add(LocalEntry local, RemoteEntry remote, List<LocalEntry> locals) {
        Candidate l = local.candidate;
        Candidate r = remote.candidate;
        if (l.component() != r.component()) {
            return null;
        }
        if ((l.address().getAddress() instanceof Inet4Address) != (r.address().getAddress() instanceof Inet4Address)) {
            return null;
        }
        if (l.type() == CandidateType.PEER_REFLEXIVE) {
            return null; // learnt from a check: only ever part of a valid pair
        }
        LocalEntry pruned = local;
        if (l.type() == CandidateType.SERVER_REFLEXIVE) {
            LocalEntry base = baseOf(local, locals);
            if (base != null) {
                pruned = base;
            }
        }
        CheckPair candidate = new CheckPair(pruned, remote);
        candidate.recomputePriority(role);
        for (CheckPair p : pairs) {
            if (p.sameRoute(candidate)) {
                if ((p.state == CandidatePairState.FROZEN || p.state == CandidatePairState.WAITING)
                        && Long.compareUnsigned(candidate.priority, p.priority) > 0 && !p.valid) {
                    p.local = pruned;
                    p.recomputePriority(role);
                    pairs.sort(BY_PRIORITY_DESC);
                }
                return null;
            }
        }
        candidate.state = initialState(candidate);
        insert(candidate);
        trim();
        return pairs.contains(candidate) ? candidate : null;
    }

    /** Adds a pair built from a successful check (RFC 8445 §7.2.5.3.2) without pruning; or returns the existing one. */
    CheckPair addValid(LocalEntry local, RemoteEntry remote) {
        for (CheckPair p : pairs) {
            if (p.local == local && p.remote == remote) {
                return p;
            }
        }
        CheckPair p = new CheckPair(local, remote);
        p.recomputePriority(role);
        p.state = CandidatePairState.SUCCEEDED;
        p.constructed = true;
        insert(p);
        return p;
    }

    /** The pair that a request received on {@code local}'s base from {@code remote} belongs to (pruned view). */
    CheckPair find(LocalEntry local, RemoteEntry remote) {
        for (CheckPair p : pairs) {
            if (!p.constructed && p.local.base == local.base && p.remote == remote) {
                return p;
            }
        }
        return null;
    }

    private static LocalEntry baseOf(LocalEntry srflx, List<LocalEntry> locals) {
        for (LocalEntry e : locals) {
            if (e.base == srflx.base && e.candidate.type() == CandidateType.HOST) {
                return e;
            }
        }
        return null;
    }

    private void insert(CheckPair p) {
        pairs.add(p);
        pairs.sort(BY_PRIORITY_DESC);
    }

    /** Drops the lowest-priority frozen or waiting pairs beyond the limit. */
    private void trim() {
        for (int i = pairs.size() - 1; i >= 0 && pairs.size() > maxPairs; i--) {
            CheckPair p = pairs.get(i);
            if (p.state == CandidatePairState.FROZEN || p.state == CandidatePairState.WAITING) {
                pairs.remove(i);
            }
        }
    }

    private CandidatePairState initialState(CheckPair p) {
        if (!started) {
            return CandidatePairState.FROZEN;
        }
        // trickle (RFC 8838 §11): waiting unless a pair of its foundation is already being checked
        String f = p.foundation();
        for (CheckPair o : pairs) {
            if ((o.state == CandidatePairState.WAITING || o.state == CandidatePairState.IN_PROGRESS)
                    && o.foundation().equals(f)) {
                return CandidatePairState.FROZEN;
            }
        }
        return CandidatePairState.WAITING;
    }

    /**
     * RFC 8445 §6.1.2.6: at the start of checks, for each foundation the highest-priority
     * pair (pairs are sorted) goes from frozen to waiting.
     */
    void start() {
        if (started) {
            return;
        }
        started = true;
        List<String> seen = new ArrayList<>();
        for (CheckPair p : pairs) {
            String f = p.foundation();
            if (p.state == CandidatePairState.FROZEN && !seen.contains(f)) {
                p.state = CandidatePairState.WAITING;
            }
            seen.add(f);
        }
    }

    boolean started() {
        return started;
    }

    /** §7.2.5.3.3: after a success, every frozen pair with the same foundation becomes waiting. */
    void unfreeze(String foundation) {
        for (CheckPair p : pairs) {
            if (p.state == CandidatePairState.FROZEN && p.foundation().equals(foundation)) {
                p.state = CandidatePairState.WAITING;
            }
        }
    }

    /**
     * The next pair for an ordinary check: the highest-priority waiting pair; if none, the
     * highest-priority frozen pair whose foundation has no pair waiting or in progress
     * (§6.1.4.2), made waiting. Null when there is nothing to check.
     */
    CheckPair nextOrdinary() {
        for (CheckPair p : pairs) {
            if (p.state == CandidatePairState.WAITING) {
                return p;
            }
        }
        for (CheckPair p : pairs) {
            if (p.state == CandidatePairState.FROZEN && !foundationActive(p.foundation())) {
                p.state = CandidatePairState.WAITING;
                return p;
            }
        }
        return null;
    }

    private boolean foundationActive(String f) {
        for (CheckPair o : pairs) {
            if ((o.state == CandidatePairState.WAITING || o.state == CandidatePairState.IN_PROGRESS)
                    && o.foundation().equals(f)) {
                return true;
            }
        }
        return false;
    }

    int count(CandidatePairState s) {
        int n = 0;
        for (CheckPair p : pairs) {
            if (p.state == s) {
                n++;
            }
        }
        return n;
    }

    /** True when no pair is frozen, waiting or in progress. */
    boolean done() {
        for (CheckPair p : pairs) {
            if (p.state == CandidatePairState.FROZEN || p.state == CandidatePairState.WAITING
                    || p.state == CandidatePairState.IN_PROGRESS) {
                return false;
            }
        }
        return true;
    }

    /** The highest-priority valid pair, or null. */
    CheckPair bestValid() {
        for (CheckPair p : pairs) {
            if (p.valid) {
                return p;
            }
        }
        return null;
    }

    /** True when a pair of higher priority than {@code p} may still succeed. */
    boolean betterPending(CheckPair p) {
        for (CheckPair o : pairs) {
            if (Long.compareUnsigned(o.priority, p.priority) <= 0) {
                return false;
            }
            if (o.state == CandidatePairState.FROZEN || o.state == CandidatePairState.WAITING
                    || o.state == CandidatePairState.IN_PROGRESS) {
                return true;
            }
        }
        return false;
    }
}
