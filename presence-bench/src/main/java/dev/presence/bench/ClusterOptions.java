package dev.presence.bench;

import picocli.CommandLine.Option;

/** Options of the scenarios that can run over several nodes in cluster mode (fanout, detect, node-kill). */
final class ClusterOptions {

    @Option(names = "--cluster", paramLabel = "NODES", defaultValue = "0",
            description = "Run NODES server processes in cluster mode (a private redis-server on a free port,"
                    + " a throwaway PostgreSQL schema) and spread the users over them: user u on node u %% NODES,"
                    + " so the members of every thread sit on different nodes. 0 (default): one node, embedded"
                    + " database.")
    int nodes;

    @Option(names = "--node-lease", paramLabel = "DURATION", defaultValue = "10s",
            description = "The nodes' --node-lease (default ${DEFAULT-VALUE}).")
    String lease;

    @Option(names = "--pg-url", paramLabel = "JDBC-URL", defaultValue = BenchCluster.DEFAULT_PG_URL,
            description = "PostgreSQL where the cluster's throwaway schema bench_<random> is made and dropped"
                    + " (default ${DEFAULT-VALUE}).")
    String pgUrl;

    boolean on() {
        return nodes > 0;
    }
}
