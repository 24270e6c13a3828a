package dev.presence.example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The app's own users and conversations: what an existing chat backend already has (a real one keeps them in its
 * database). Presence is told about them through its server API; it never owns them.
 */
final class Directory {

    /** A user of the app. Their presence {@code user_id} is the app's own id. */
    record AppUser(String id, String username, String displayName) {
    }

    /** A conversation of the app: presence calls it a thread. */
    record Room(String id, String title, List<String> memberIds) {
    }

    /** Everyone who logs in joins this room, so the demo has someone to watch. */
    static final String TEAM_ROOM = "room:team";

    private final Map<String, AppUser> usersByName = new LinkedHashMap<>();
    private final Map<String, Room> rooms = new LinkedHashMap<>();

    Directory() {
        rooms.put(TEAM_ROOM, new Room(TEAM_ROOM, "Acme team", List.of()));
    }

    /** The user of that name, made on first login (a real app checks a password here). */
    synchronized AppUser userNamed(String username) {
        return usersByName.computeIfAbsent(username, name -> new AppUser("acme:" + name, name,
                Character.toUpperCase(name.charAt(0)) + name.substring(1)));
    }

    synchronized Optional<AppUser> user(String id) {
        return usersByName.values().stream().filter(u -> u.id().equals(id)).findFirst();
    }

    /** Adds the user to a room; the room's members after it. */
    synchronized Room join(String roomId, String userId) {
        Room room = rooms.get(roomId);
        if (room.memberIds().contains(userId)) {
            return room;
        }
        List<String> members = new ArrayList<>(room.memberIds());
        members.add(userId);
        Room joined = new Room(room.id(), room.title(), List.copyOf(members));
        rooms.put(roomId, joined);
        return joined;
    }

    synchronized List<Room> roomsOf(String userId) {
        return rooms.values().stream().filter(r -> r.memberIds().contains(userId)).toList();
    }
}
