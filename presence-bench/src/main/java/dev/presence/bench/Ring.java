package dev.presence.bench;

/**
 * The bench's social graph: thread {@code t} holds users {@code t, t+1, ..., t+4} (mod N), so every user is
 * in 5 threads of 5 members and shares a thread with exactly 8 others: {@code u-4 .. u+4} without {@code u}.
 * A closed form, so every process knows who watches whom without asking the server.
 */
final class Ring {

    static final int THREAD_SIZE = 5;
    static final int REACH = THREAD_SIZE - 1;

    private Ring() {
    }

    static int[] coMembers(int user, int users) {
        return coMembers(user, users, THREAD_SIZE);
    }

    /** With threads of {@code threadSize} members (each user then in {@code threadSize} threads). */
    static int[] coMembers(int user, int users, int threadSize) {
        int reach = threadSize - 1;
        if (users < 2 * reach + 1) {
            throw new IllegalArgumentException("need at least " + (2 * reach + 1) + " users, got " + users);
        }
        int[] out = new int[2 * reach];
        int i = 0;
        for (int k = 1; k <= reach; k++) {
            out[i++] = Math.floorMod(user - k, users);
            out[i++] = Math.floorMod(user + k, users);
        }
        return out;
    }

    static String userId(int user) {
        return "u_b" + user;
    }

    static String threadId(int thread) {
        return "t_b" + thread;
    }

    /** The index of a bench user id, or -1 for any other id. */
    static int userIndex(String userId) {
        if (userId == null || !userId.startsWith("u_b")) {
            return -1;
        }
        try {
            return Integer.parseInt(userId, 3, userId.length(), 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
