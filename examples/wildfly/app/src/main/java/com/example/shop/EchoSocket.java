package com.example.shop;

import jakarta.websocket.OnMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A Jakarta WebSocket endpoint the way WildFly users write one: {@code ws://.../shop/ws/echo/{room}} sends every
 * binary message back as it came. Its handshake completes on a worker thread, as every servlet handshake does.
 */
@ServerEndpoint("/ws/echo/{room}")
public class EchoSocket {

    @OnMessage
    public void echo(ByteBuffer message, Session session) throws IOException {
        session.getBasicRemote().sendBinary(message);
    }
}
