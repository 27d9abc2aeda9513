package org.healthgateway.server.config;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import org.healthgateway.server.security.OperationOutcomes;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over the configured limit with 413 and an OperationOutcome: by
 * Content-Length when given, else by reading at most limit + 1 bytes (chunked uploads). The FHIR
 * parser reads whole bodies anyway, so buffering up to the limit costs no extra memory bound.
 */
public final class BodyLimitFilter extends OncePerRequestFilter {
  private final long maxBytes;

  public BodyLimitFilter(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > maxBytes) {
      tooLarge(response);
      return;
    }
    String method = request.getMethod();
    if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
      chain.doFilter(request, response);
      return;
    }
    byte[] body = readAtMost(request.getInputStream(), maxBytes + 1);
    if (body.length > maxBytes) {
      tooLarge(response);
      return;
    }
    chain.doFilter(new BufferedRequest(request, body), response);
  }

  private static byte[] readAtMost(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16384];
    long total = 0;
    int n;
    while (total < limit
        && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - total))) > 0) {
      out.write(buffer, 0, n);
      total += n;
    }
    return out.toByteArray();
  }

  private void tooLarge(HttpServletResponse response) throws IOException {
    OperationOutcomes.write(
        response,
        HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
        "too-costly",
        "Request body exceeds the limit of " + maxBytes + " bytes");
  }

  private static final class BufferedRequest extends HttpServletRequestWrapper {
    private final byte[] body;

    BufferedRequest(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("synchronous body");
        }
      };
    }

    @Override
    public BufferedReader getReader() throws IOException {
      String encoding = getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding();
      return new BufferedReader(new InputStreamReader(getInputStream(), encoding));
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }
  }
}
