package org.cunicu4j.daemon.config;

/** The keys the configuration knows and how each is typed and checked. Stateless. */
final class Schema {
    private Schema() {}

    static InterfaceConfig interfaceConfig(Tree.MapNode node) {
        return InterfaceConfig.DEFAULT; // skeleton
    }
}
