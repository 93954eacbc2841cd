// C++ exceptions through Wasm exception handling: throw and catch by type, rethrow, destructors
// run during unwinding, nested try blocks, exceptions crossing many frames, standard exceptions
// thrown by the library, and a catch-all.
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

static int live = 0;
struct Guard {
    std::string name;
    explicit Guard(std::string n) : name(std::move(n)) { ++live; }
    ~Guard() { --live; std::printf("  ~Guard(%s)\n", name.c_str()); }
};

struct AppError : std::runtime_error {
    int code;
    AppError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
};

static int depth(int n) {
    Guard g("depth " + std::to_string(n));
    if (n == 0) throw AppError("bottom reached", 7);
    return depth(n - 1) + 1;
}

static void rethrower() {
    try {
        throw std::out_of_range("index 9");
    } catch (const std::exception &e) {
        std::printf("  rethrowing %s\n", e.what());
        throw;
    }
}

static int classify(int i) {
    try {
        switch (i) {
        case 0: throw 42;
        case 1: throw std::string("a string");
        case 2: throw AppError("app", 3);
        case 3: throw 2.5;
        default: return i;
        }
    } catch (int v) {
        return 100 + v;
    } catch (const std::string &s) {
        return 200 + (int) s.size();
    } catch (const AppError &e) {
        return 300 + e.code;
    } catch (...) {
        return -1;
    }
}

int main() {
    try {
        depth(3);
    } catch (const AppError &e) {
        std::printf("caught AppError '%s' code %d, live guards %d\n", e.what(), e.code, live);
    }
    try {
        rethrower();
    } catch (const std::out_of_range &e) {
        std::printf("caught out_of_range '%s'\n", e.what());
    }
    for (int i = 0; i < 5; i++) {
        std::printf("classify(%d) = %d\n", i, classify(i));
    }
    try {
        std::vector<int> v(3);
        v.at(10) = 1;
    } catch (const std::out_of_range &) {
        std::printf("vector::at threw out_of_range\n");
    }
    try {
        auto p = std::make_unique<Guard>("heap");
        try {
            throw std::logic_error("inner");
        } catch (const std::logic_error &e) {
            std::printf("inner caught '%s'\n", e.what());
            throw std::runtime_error(std::string("outer from ") + e.what());
        }
    } catch (const std::runtime_error &e) {
        std::printf("outer caught '%s', live guards %d\n", e.what(), live);
    }
    long sum = 0;
    for (int i = 0; i < 20000; i++) {
        try {
            if (i % 3 == 0) throw i;
            sum += i;
        } catch (int v) {
            sum -= v;
        }
    }
    std::printf("sum %ld\n", sum);
    return 0;
}
