package com.example.shop;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Arrays;

/**
 * A request-scoped CDI bean (WildFly hands JAX-RS its client proxy, a subclass) with a sub-resource locator:
 * {@code GET /shop/api/customers/{cid}/notes/{n}}, 700 bytes, counted on that whole template.
 */
@RequestScoped
@Path("/customers")
public class CustomersResource {

    @Path("{cid}/notes")
    public Notes notes(@PathParam("cid") String cid) {
        return new Notes();
    }

    /** The sub-resource the locator returns. */
    public static class Notes {
        @GET
        @Path("{n}")
        @Produces(MediaType.APPLICATION_OCTET_STREAM)
        public byte[] note(@PathParam("n") String n) {
            byte[] body = new byte[700];
            Arrays.fill(body, (byte) 'n');
            return body;
        }
    }
}
