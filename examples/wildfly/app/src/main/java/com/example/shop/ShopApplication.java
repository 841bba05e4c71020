package com.example.shop;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** JAX-RS under {@code /shop/api}; resources are found by scanning. */
@ApplicationPath("/api")
public class ShopApplication extends Application {
}
