package com.example.shop;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** JAX-RS resources the way WildFly users write them: {@code /shop/api/orders/{id}} and an upload. */
@Path("/orders")
public class OrdersResource {

    /** {@code GET /shop/api/orders/{id}}: 1000 bytes. */
    @GET
    @Path("{id}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public byte[] order(@PathParam("id") String id) {
        byte[] body = new byte[1000];
        Arrays.fill(body, (byte) 'o');
        return body;
    }

    /** {@code PUT /shop/api/orders/{id}/attachment}: reads the body, answers {@code n=<bytes read>}. */
    @PUT
    @Path("{id}/attachment")
    @Consumes(MediaType.APPLICATION_OCTET_STREAM)
    @Produces(MediaType.TEXT_PLAIN)
    public String attach(@PathParam("id") String id, InputStream body) throws IOException {
        byte[] buffer = new byte[16384];
        long n = 0;
        for (int r; (r = body.read(buffer)) != -1; ) {
            n += r;
        }
        return "n=" + n;
    }
}
