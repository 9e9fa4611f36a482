package org.ddpm4j.serve;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.concurrent.CompletableFuture;

/**
 * Runs an action when the client of a request closes its connection before the request is answered, so
 * its queued images leave the queue and a batch of such requests alone stops.
 */
final class ClientConnection {

    private ClientConnection() {
    }

    /** Calls {@code action} if the connection closes before {@code done} completes. */
    static void onClose(HttpRequest<?> request, CompletableFuture<?> done, Runnable action) {
        if (!(request instanceof NettyHttpRequest<?> netty)) {
            return;
        }
        Channel channel = netty.getChannelHandlerContext().channel();
        GenericFutureListener<Future<? super Void>> listener = f -> {
            if (!done.isDone()) {
                action.run();
            }
        };
        channel.closeFuture().addListener(listener);
        // a kept-alive connection serves many requests: drop the listener (and the job it holds) when answered
        done.whenComplete((r, e) -> channel.closeFuture().removeListener(listener));
    }
}
