package com.example.shop;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/** A path-mapped servlet: {@code GET /shop/files/<anything>?size=N} streams N bytes (default 4096, at most 64 MiB). */
@WebServlet("/files/*")
public class FilesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final int MAX = 64 << 20;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String size = request.getParameter("size");
        int n;
        try {
            n = size == null ? 4096 : Integer.parseInt(size);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > MAX) {
            response.sendError(400, "size: 0 to " + MAX);
            return;
        }
        response.setContentType("application/octet-stream");
        byte[] chunk = new byte[8192];
        Arrays.fill(chunk, (byte) 'f');
        OutputStream out = response.getOutputStream();
        for (int left = n; left > 0; left -= chunk.length) {
            out.write(chunk, 0, Math.min(left, chunk.length));
        }
    }
}
