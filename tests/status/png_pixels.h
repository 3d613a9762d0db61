#pragma once
// Just enough PNG decoding for a test to look at a screenshot: 8-bit RGB or
// RGBA, not interlaced (what Chromium writes), all five row filters.

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace boletos::test_support {

struct Pixels {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> data;  // rows of width * channels bytes
  std::string error;
};

inline uint32_t Be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

inline Pixels DecodePng(const std::string& png) {
  Pixels p;
  if (png.size() < 33 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    p.error = "not a PNG (bad signature)";
    return p;
  }
  std::string idat;
  for (size_t at = 8; at + 8 <= png.size();) {
    uint32_t len = Be32(png, at);
    std::string type = png.substr(at + 4, 4);
    if (at + 12 + len > png.size()) {
      p.error = "truncated chunk " + type;
      return p;
    }
    if (type == "IHDR") {
      p.width = static_cast<int>(Be32(png, at + 8));
      p.height = static_cast<int>(Be32(png, at + 12));
      int depth = uint8_t(png[at + 16]), color = uint8_t(png[at + 17]), interlace = uint8_t(png[at + 20]);
      if (depth != 8 || (color != 2 && color != 6) || interlace != 0) {
        p.error = "unsupported PNG layout";
        return p;
      }
      p.channels = color == 6 ? 4 : 3;
    } else if (type == "IDAT") {
      idat += png.substr(at + 8, len);
    }
    at += 12 + len;
  }
  size_t stride = static_cast<size_t>(p.width) * p.channels;
  std::vector<uint8_t> raw((stride + 1) * p.height);
  uLongf raw_len = raw.size();
  if (p.width <= 0 || uncompress(raw.data(), &raw_len, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK ||
      raw_len != raw.size()) {
    p.error = "the image data does not inflate to width x height";
    return p;
  }
  p.data.resize(stride * p.height);
  for (int y = 0; y < p.height; ++y) {
    uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* out = &p.data[y * stride];
    const uint8_t* up = y > 0 ? &p.data[(y - 1) * stride] : nullptr;
    for (size_t i = 0; i < stride; ++i) {
      int a = i >= size_t(p.channels) ? out[i - p.channels] : 0;
      int b = up ? up[i] : 0;
      int c = (up && i >= size_t(p.channels)) ? up[i - p.channels] : 0;
      int pred = 0;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          int pa = std::abs(b - c), pb = std::abs(a - c), pc = std::abs(a + b - 2 * c);
          pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
          break;
        }
        default: p.error = "bad row filter"; return p;
      }
      out[i] = static_cast<uint8_t>(in[i] + pred);
    }
  }
  return p;
}

// Pixels within tolerance of the colour r,g,b.
inline int CountColour(const Pixels& p, int r, int g, int b, int tolerance) {
  int n = 0;
  for (size_t i = 0; i + 2 < p.data.size(); i += p.channels) {
    if (std::abs(p.data[i] - r) <= tolerance && std::abs(p.data[i + 1] - g) <= tolerance &&
        std::abs(p.data[i + 2] - b) <= tolerance) {
      ++n;
    }
  }
  return n;
}

}  // namespace boletos::test_support
