package io.github.httpbandwidth.example;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The master's TLS identity: a self-signed certificate for localhost and 127.0.0.1, generated on first start
 * with the JDK's keytool into the state directory (which git ignores), readable by its owner only.
 */
final class SelfSignedTls {

    private static final String ALIAS = "scheduler-master";

    private SelfSignedTls() {
    }

    static SSLContext loadOrCreate(Path tlsDir) throws Exception {
        Path store = tlsDir.resolve("master.p12");
        Path passwordFile = tlsDir.resolve("master.p12.password");
        if (!Files.exists(store)) {
            generate(tlsDir, store, passwordFile);
        }
        char[] password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim().toCharArray();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, password);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static void generate(Path tlsDir, Path store, Path passwordFile) throws IOException, InterruptedException {
        Files.createDirectories(tlsDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Files.deleteIfExists(passwordFile);
        Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", ALIAS,
                "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "825",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                // From the file, not as arguments: a random password may start with "-J", which the keytool
                // launcher takes for a JVM option (1 start in 4096 failed so), and arguments show in ps.
                "-storepass:file", passwordFile.toString(), "-keypass:file", passwordFile.toString()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool could not create " + store + ": " + output);
        }
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
    }
}
