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
import java.nio.charset.Charset;
import org.healthgateway.server.security.OperationOutcomes;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses, with an OperationOutcome and before anything parses them, the requests to {@code /fhir}
 * that the FHIR layer would misread:
 *
 * <ul>
 *   <li>bodies over the configured limit: 413, by Content-Length when given, else by reading at
 *       most limit + 1 bytes (chunked uploads). The FHIR parser reads whole bodies anyway, so
 *       buffering up to the limit costs no extra memory bound;
 *   <li>text bodies (JSON, XML, text, forms) that are not valid UTF-8: 400. HAPI decodes leniently
 *       and stored U+FFFD for every bad byte;
 *   <li>a Content-Type charset other than UTF-8 (or US-ASCII): 415. FHIR bodies are UTF-8, and HAPI
 *       decodes them as UTF-8 whatever the charset says;
 *   <li>a query string with a malformed percent-escape ({@code %zz}): 400. HAPI's URL decoder
 *       threw, which was a 500.
 * </ul>
 */
public final class RequestSyntaxFilter extends OncePerRequestFilter {
  private final long maxBytes;

  public RequestSyntaxFilter(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!TextEncoding.wellFormedPercentEscapes(request.getQueryString())) {
      OperationOutcomes.write(
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          "invalid",
          "Malformed percent-encoding in the query string: '%' must be followed by two hex digits");
      return;
    }
    if (request.getContentLengthLong() > maxBytes) {
      tooLarge(response);
      return;
    }
    String method = request.getMethod();
    if (!method.equals("POST") && !method.equals("PUT") && !method.equals("PATCH")) {
      chain.doFilter(request, response);
      return;
    }
    Charset charset;
    try {
      charset = TextEncoding.charsetOf(request.getCharacterEncoding());
    } catch (IllegalArgumentException e) {
      OperationOutcomes.write(
          response,
          HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
          "not-supported",
          "Unsupported charset in Content-Type: FHIR bodies are UTF-8");
      return;
    }
    byte[] body = readAtMost(request.getInputStream(), maxBytes + 1);
    if (body.length > maxBytes) {
      tooLarge(response);
      return;
    }
    if (TextEncoding.isText(request.getContentType()) && !TextEncoding.decodes(body, charset)) {
      OperationOutcomes.write(
          response,
          HttpServletResponse.SC_BAD_REQUEST,
          "structure",
          "The request body is not valid " + charset.name() + " text");
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
