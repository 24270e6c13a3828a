package dev.presence.server.chat;

import dev.presence.core.UserStatus;
import dev.presence.server.domain.User;
import dev.presence.server.presence.PresenceHub;
import dev.presence.server.protocol.Frames;
import dev.presence.server.store.AccountStore;
import dev.presence.server.store.AppUserFields;
import dev.presence.server.store.AppUserWrite;
import dev.presence.server.store.NotAnAppUserException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.presence.server.chat.StoreFailures.translated;

/**
 * The server API's users: the app creates and names its users, sees anyone's presence, and ends a user's
 * sessions. A change of an existing user's name is told to them and to everyone sharing a thread with them
 * ({@code user_profile_updated}), as a display name changed through {@code PATCH /api/me} is. Every call blocks
 * on the store or waits for the hub, so they run on workers.
 */
public final class AppUsers {

    /** Users per {@code PUT /api/server/users}. */
    public static final int MAX_PER_CALL = 1_000;
    /** Ids per presence query. */
    public static final int MAX_PRESENCE_IDS = 1_000;
    static final int MAX_USERNAME = 128;

    private final AccountStore store;
    private final Accounts accounts;
    private final PresenceHub hub;
    private final Statuses statuses;

    /** @param accounts where a user's sessions are revoked (tokens, JWTs, sockets) */
    public AppUsers(AccountStore store, Accounts accounts, PresenceHub hub, Statuses statuses) {
        this.store = store;
        this.accounts = accounts;
        this.hub = hub;
        this.statuses = statuses;
    }

    /** A user as the app gives it: null fields keep what is there (see {@link AccountStore#putAppUser}). */
    public record Fields(String id, String username, String displayName) {
    }

    /** A user as put, and whether it was new. */
    public record Put(User user, boolean created) {
    }

    /** How many users of a bulk put were created and how many changed. */
    public record BulkPut(int created, int updated) {
    }

    /**
     * Creates or updates a user with the app's id.
     *
     * @throws ChatException 400 for a bad id or field; 409 if the id belongs to a user who signed up here
     */
    public Put put(String userId, String username, String displayName) {
        AppUserFields fields = checked(AppIds.require("user id", userId), username, displayName);
        return translated(() -> {
            AppUserWrite write;
            try {
                write = store.putAppUser(fields.id(), fields.username(), fields.displayName());
            } catch (NotAnAppUserException e) {
                throw notAnAppUser(fields.id());
            }
            announce(write);
            return new Put(write.user(), write.created());
        });
    }

    /**
     * Creates or updates up to {@value #MAX_PER_CALL} users at once (distinct ids), in batches.
     *
     * @throws ChatException 400 for a bad entry (nothing is written); 409 if an id belongs to a user who signed
     *                       up here (nothing is written)
     */
    public BulkPut putAll(List<Fields> users) {
        if (users.size() > MAX_PER_CALL) {
            throw ChatException.invalid("users may hold at most " + MAX_PER_CALL + " entries (got " + users.size()
                    + ")");
        }
        List<AppUserFields> checked = new ArrayList<>(users.size());
        Set<String> seen = new HashSet<>();
        for (Fields user : users) {
            String id = AppIds.require("users[].id", user.id());
            if (!seen.add(id)) {
                throw ChatException.invalid("users names '" + id + "' more than once");
            }
            checked.add(checked(id, user.username(), user.displayName()));
        }
        return translated(() -> {
            List<AppUserWrite> writes;
            try {
                writes = store.putAppUsers(checked);
            } catch (NotAnAppUserException e) {
                throw ChatException.conflict("not_an_app_user", e.getMessage());
            }
            int created = 0;
            int updated = 0;
            for (AppUserWrite write : writes) {
                created += write.created() ? 1 : 0;
                updated += write.changed() && !write.created() ? 1 : 0;
                announce(write);
            }
            return new BulkPut(created, updated);
        });
    }

    /** Revokes every session of the user: tokens, the app's JWTs issued until now, open sockets (4401). */
    public void revokeSessions(String userId) {
        accounts.revokeSessions(AppIds.require("user id", userId));
    }

    /**
     * The statuses of any users, in the order asked (duplicates once). A user the server does not know is
     * offline, last seen 0, version 0, as one who never connected, so the app treats all ids alike.
     */
    public List<UserStatus> presence(List<String> userIds) {
        List<String> ids = AppIds.requireAll("user_id", userIds, MAX_PRESENCE_IDS);
        Map<String, UserStatus> now = statuses.of(ids);
        List<UserStatus> answer = new ArrayList<>(ids.size());
        for (String id : ids) {
            answer.add(now.get(id));
        }
        return answer;
    }

    private void announce(AppUserWrite write) {
        if (write.changed() && !write.created()) {
            hub.toUserAndCoMembers(write.user().id(), Frames.profileUpdated(write.user()));
        }
    }

    private static AppUserFields checked(String id, String username, String displayName) {
        if (username != null) {
            if (username.isEmpty() || username.length() > MAX_USERNAME) {
                throw ChatException.invalid("username must be 1 to " + MAX_USERNAME + " characters");
            }
            FieldRules.requireLabel("username", username, MAX_USERNAME);
        }
        String name = displayName;
        if (name != null) {
            if (name.isBlank()) {
                throw ChatException.invalid("display_name must not be empty");
            }
            name = name.strip();
            FieldRules.requireLabel("display_name", name, FieldRules.MAX_DISPLAY_NAME);
        }
        return new AppUserFields(id, username, name);
    }

    private static ChatException notAnAppUser(String userId) {
        return ChatException.conflict("not_an_app_user", "user '" + userId
                + "' signed up with a password and is not managed by the app");
    }
}
