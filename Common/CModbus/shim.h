#ifndef V2G_CMODBUS_SHIM_H
#define V2G_CMODBUS_SHIM_H

#include <modbus/modbus.h>

// libmodbus error numbers are macros over an enum (modbus.h); Swift cannot import them, so wrap them.

/// First errno value libmodbus uses for its own errors.
static inline int v2g_modbus_enobase(void) { return MODBUS_ENOBASE; }
/// errno for "illegal data address" (Modbus exception 0x02).
static inline int v2g_modbus_embxiladd(void) { return EMBXILADD; }
/// errno of the last Modbus exception libmodbus maps (gateway target failed, 0x0B).
static inline int v2g_modbus_embxgtar(void) { return EMBXGTAR; }
/// errno for a response that does not match the request (wrong transaction, length or function).
static inline int v2g_modbus_embbaddata(void) { return EMBBADDATA; }
/// errno for a bad CRC on RTU.
static inline int v2g_modbus_embbadcrc(void) { return EMBBADCRC; }
/// Modbus exception "gateway target device failed to respond" (0x0B), replied for unknown unit ids.
static inline int v2g_modbus_exception_gateway_target(void) { return MODBUS_EXCEPTION_GATEWAY_TARGET; }

#endif
