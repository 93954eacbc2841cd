// A small C++ exception runtime for wasm32 with the exception-handling proposal (clang
// -fwasm-exceptions), written for Cella: Debian's libc++abi for wasm32 is built without
// exceptions, so it lacks __cxa_throw and the personality that LLVM's Wasm landing pads call.
//
// The protocol (LLVM's WasmEHPrepare): a throw is `throw __cpp_exception` (tag 0) whose payload
// is a pointer, here to the exception's Header. A landing pad that catches by type stores its
// index and its function's LSDA (the GCC_except_table) in __wasm_lpad_context, calls
// _Unwind_CallPersonality(payload) and reads back the selector: the index in the LSDA's type
// table of the catch clause that matches (compared with llvm.eh.typeid.for), or 0 for none, in
// which case the pad rethrows. Cleanups (destructors) are catch_all pads that end in rethrow.
//
// Matching by type goes through libc++abi's own type_info classes (__shim_type_info::can_catch,
// a virtual function of the RTTI objects the compiler emits), so base classes, pointers and
// qualifications follow the C++ rules exactly as libc++abi implements them.
#include <cstdint>
#include <cstdlib>
#include <typeinfo>

namespace __cxxabiv1 {
// The virtual functions of libc++abi's RTTI classes, in their vtable order (declared only: the
// objects are the compiler's, the definitions libc++abi's).
class __shim_type_info : public std::type_info {
public:
    ~__shim_type_info() override;
    virtual void noop1() const;
    virtual void noop2() const;
    virtual bool can_catch(const __shim_type_info *thrown, void *&adjusted) const = 0;
};
}  // namespace __cxxabiv1

namespace {
using __cxxabiv1::__shim_type_info;

// What precedes the thrown object in the block __cxa_allocate_exception hands out. The payload
// of the Wasm exception is a pointer to it.
// The WebAssembly C++ ABI has destructors return `this`, so the destructor __cxa_throw receives
// has that type (a call_indirect of another type would trap).
using Destructor = void *(*)(void *);

struct Header {
    const std::type_info *type;
    Destructor destroy;
    // The object pointer the matching catch clause gets (adjusted to a base, or dereferenced
    // for a pointer); set by the personality.
    void *adjusted;
    // Number of catch clauses in which the exception is active; it is destroyed at the end
    // of the last one unless it was rethrown.
    int handlers;
    bool rethrown;
    Header *nextCaught;
};

constexpr std::size_t HEADER = (sizeof(Header) + 15) & ~std::size_t(15);

Header *headerOf(void *object) {
    return reinterpret_cast<Header *>(static_cast<char *>(object) - HEADER);
}

void *objectOf(Header *h) {
    return reinterpret_cast<char *>(h) + HEADER;
}

// The exceptions being handled, innermost first (__cxa_begin_catch pushes, __cxa_end_catch pops).
Header *caught;

// Reads a LEB128 number at p: its bits, their count in `shift` and the last byte in `last`.
std::uintptr_t leb(const std::uint8_t *&p, unsigned &shift, std::uint8_t &last) {
    std::uintptr_t v = 0;
    shift = 0;
    do {
        last = *p++;
        v |= std::uintptr_t(last & 0x7f) << shift;
        shift += 7;
    } while (last & 0x80);
    return v;
}

std::uintptr_t uleb(const std::uint8_t *&p) {
    unsigned shift;
    std::uint8_t last;
    return leb(p, shift, last);
}

std::intptr_t sleb(const std::uint8_t *&p) {
    unsigned shift;
    std::uint8_t last;
    std::intptr_t v = std::intptr_t(leb(p, shift, last));
    if (shift < 8 * sizeof(v) && (last & 0x40)) {
        v |= -(std::intptr_t(1) << shift);  // sign-extend from the last byte's sign bit
    }
    return v;
}

constexpr std::uint8_t OMIT = 0xff;

// Skips a DWARF-encoded pointer of encoding `enc` (only the lpStart field, which LLVM omits).
void skipEncoded(const std::uint8_t *&p, std::uint8_t enc) {
    switch (enc & 0x0f) {
    case 0x01: uleb(p); break;
    case 0x09: sleb(p); break;
    case 0x02: case 0x0a: p += 2; break;
    case 0x04: case 0x0c: p += 8; break;
    default: p += 4; break;  // absptr, udata4 and sdata4 on wasm32
    }
}

// Type table entry `index` (1-based, counting down from `types`): a type_info pointer, or null
// for catch (...). wasm32 type tables hold 4-byte absolute pointers.
const __shim_type_info *catchType(const std::uint8_t *types, std::intptr_t index) {
    std::uint32_t address;
    __builtin_memcpy(&address, types - 4 * index, 4);
    return reinterpret_cast<const __shim_type_info *>(std::uintptr_t(address));
}
}  // namespace

extern "C" {

// Written by every landing pad that calls the personality (LLVM's layout: i32, ptr, i32).
struct LandingPadContext {
    std::uint32_t lpadIndex;
    const std::uint8_t *lsda;
    std::uint32_t selector;
};
LandingPadContext __wasm_lpad_context;

void *__cxa_allocate_exception(std::size_t size) noexcept {
    void *block = std::calloc(1, HEADER + size);
    if (block == nullptr) {
        std::abort();
    }
    return objectOf(static_cast<Header *>(block));
}

void __cxa_free_exception(void *object) noexcept {
    std::free(headerOf(object));
}

[[noreturn]] void __cxa_throw(void *object, std::type_info *type, Destructor destroy) {
    Header *h = headerOf(object);
    h->type = type;
    h->destroy = destroy;
    __builtin_wasm_throw(0, h);
}

// Finds the clause of landing pad __wasm_lpad_context.lpadIndex that catches `payload` and
// sets the selector to its type index (0 if none: the pad only cleans up, then rethrows).
int _Unwind_CallPersonality(void *payload) {
    Header *h = static_cast<Header *>(payload);
    LandingPadContext &c = __wasm_lpad_context;
    c.selector = 0;
    const std::uint8_t *p = c.lsda;
    if (p == nullptr) {
        return 0;
    }
    std::uint8_t lpStartEncoding = *p++;
    if (lpStartEncoding != OMIT) {
        skipEncoded(p, lpStartEncoding);
    }
    const std::uint8_t *types = nullptr;
    if (*p++ != OMIT) {
        std::uintptr_t offset = uleb(p);
        types = p + offset;
    }
    p++;  // the call-site encoding: uleb128
    std::uintptr_t length = uleb(p);
    const std::uint8_t *actions = p + length;
    // Wasm's call-site table has one entry per landing pad, in landing pad order: the pad's
    // index, then its action (1 + the offset of its first action record, or 0 for none).
    std::uintptr_t action = 0;
    for (std::uint32_t i = 0; i <= c.lpadIndex && p < actions; i++) {
        uleb(p);
        action = uleb(p);
    }
    if (action == 0) {
        return 0;
    }
    const std::uint8_t *record = actions + action - 1;
    while (true) {
        std::intptr_t filter = sleb(record);
        const std::uint8_t *next = record;
        std::intptr_t displacement = sleb(record);
        if (filter > 0) {
            const __shim_type_info *type = catchType(types, filter);
            void *adjusted = objectOf(h);
            if (type == nullptr || type->can_catch(static_cast<const __shim_type_info *>(h->type), adjusted)) {
                h->adjusted = adjusted;
                c.selector = std::uint32_t(filter);
                return 1;
            }
        }
        // filter == 0 is a cleanup; negative filters (dynamic exception specifications) are
        // never matched: the pad then rethrows.
        if (displacement == 0) {
            return 0;
        }
        record = next + displacement;
    }
}

void *__cxa_get_exception_ptr(void *payload) noexcept {
    return static_cast<Header *>(payload)->adjusted;
}

void *__cxa_begin_catch(void *payload) noexcept {
    Header *h = static_cast<Header *>(payload);
    if (h->handlers == 0) {
        h->nextCaught = caught;
        caught = h;
    }
    h->handlers++;
    h->rethrown = false;
    // A catch (...) clause reached without the personality (a catch_all pad) gets the object.
    return h->adjusted != nullptr ? h->adjusted : objectOf(h);
}

void __cxa_end_catch() {
    Header *h = caught;
    if (h == nullptr || --h->handlers > 0) {
        return;
    }
    caught = h->nextCaught;
    if (!h->rethrown) {
        if (h->destroy != nullptr) {
            h->destroy(objectOf(h));
        }
        std::free(h);
    }
}

[[noreturn]] void __cxa_rethrow() {
    Header *h = caught;
    if (h == nullptr) {
        std::abort();  // throw; with no exception being handled: std::terminate's behaviour
    }
    h->rethrown = true;
    __builtin_wasm_throw(0, h);
}

[[noreturn]] void __cxa_call_unexpected(void *) {
    std::abort();
}
}  // extern "C"
