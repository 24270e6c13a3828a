package dev.presence.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network transport Netty runs on: io_uring or epoll (Linux, native) or NIO (anywhere). The one asked for is
 * used if this machine has it; otherwise the next one down, with a warning, so a server never fails to start over
 * a transport.
 */
record Transport(String name, IoHandlerFactory io, Class<? extends ServerChannel> serverChannel) {

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /**
     * @param wanted {@code io_uring}, {@code epoll} or {@code nio}
     */
    static Transport choose(String wanted) {
        if (wanted.equals("io_uring")) {
            if (IoUring.isAvailable()) {
                return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class);
            }
            log.warn("io_uring is not available here ({}); using epoll", IoUring.unavailabilityCause().toString());
            wanted = "epoll";
        }
        if (wanted.equals("epoll")) {
            if (Epoll.isAvailable()) {
                return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
            }
            log.warn("epoll is not available here; using NIO");
        }
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }
}
