package dev.sett.tool;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Streams that report the bytes passing through them to a {@link ProgressBar}. */
final class CountingStreams {
  private CountingStreams() {
  }

  static OutputStream counting(OutputStream out, ProgressBar progress) {
    return new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        progress.add(1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        progress.add(len);
      }
    };
  }

  static InputStream counting(InputStream in, ProgressBar progress) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
          progress.add(1);
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
          progress.add(n);
        }
        return n;
      }

      @Override
      public long skip(long n) throws IOException {
        long skipped = in.skip(n);
        progress.add(skipped);
        return skipped;
      }
    };
  }
}
