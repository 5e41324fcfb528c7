/*
 * GDAL, loaded on first use.
 *
 * libgdal pulls in about a hundred shared libraries (PROJ, HDF, NetCDF, Poppler, codecs...);
 * linked into the program, the dynamic loader maps and relocates all of them before main() in
 * every command, which costs each process about 28 ms of CPU and 24 MiB, although only an
 * import of a boundary file (src/io/areas.c) reads anything with GDAL. So libconcord is built
 * against GDAL's headers but not linked with it: cc__gdal_load() opens the library by its
 * soname (found at configure time, CC_GDAL_SONAME) with dlopen, resolves the functions Concord
 * calls into the table cc__gdal, and registers GDAL's drivers, once per process. Callers use
 * the table: cc__gdal.GDALOpenEx(...).
 *
 * A function added to areas.c must be added to CC_GDAL_FUNCTIONS as well: the program does not
 * link GDAL, so a direct call fails to link (and macros of GDAL's headers that call functions,
 * such as wkbFlatten, must be written as calls through the table).
 */
#ifndef CONCORD_IO_GDAL_H
#define CONCORD_IO_GDAL_H

#include <concord/error.h>

/* GDAL's headers trip -Wundef (__clang_major__) and -Wpedantic (enumerators above INT_MAX) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wpedantic"
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#pragma GCC diagnostic pop

/* X(function): every GDAL function Concord calls */
#define CC_GDAL_FUNCTIONS(X)                   \
	X(GDALAllRegister)                     \
	X(GDALOpenEx)                          \
	X(GDALClose)                           \
	X(GDALGetFileList)                     \
	X(GDALDatasetGetLayerCount)            \
	X(GDALDatasetGetLayer)                 \
	X(CPLPushErrorHandlerEx)               \
	X(CPLPopErrorHandler)                  \
	X(CPLGetErrorHandlerUserData)          \
	X(CSLDestroy)                          \
	X(OSRNewSpatialReference)              \
	X(OSRImportFromEPSG)                   \
	X(OSRSetAxisMappingStrategy)           \
	X(OSRIsSameEx)                         \
	X(OSRGetName)                          \
	X(OSRClone)                            \
	X(OSRRelease)                          \
	X(OCTNewCoordinateTransformation)      \
	X(OCTDestroyCoordinateTransformation)  \
	X(OGR_L_GetLayerDefn)                  \
	X(OGR_L_GetSpatialRef)                 \
	X(OGR_L_GetName)                       \
	X(OGR_L_ResetReading)                  \
	X(OGR_L_GetNextFeature)                \
	X(OGR_FD_GetFieldCount)                \
	X(OGR_FD_GetFieldDefn)                 \
	X(OGR_FD_GetFieldIndex)                \
	X(OGR_Fld_GetNameRef)                  \
	X(OGR_F_Destroy)                       \
	X(OGR_F_GetGeometryRef)                \
	X(OGR_F_IsFieldSetAndNotNull)          \
	X(OGR_F_GetFieldAsString)              \
	X(OGR_G_GetGeometryType)               \
	X(OGR_G_IsEmpty)                       \
	X(OGR_G_HasCurveGeometry)              \
	X(OGR_G_GetLinearGeometry)             \
	X(OGR_G_Clone)                         \
	X(OGR_G_FlattenTo2D)                   \
	X(OGR_G_Transform)                     \
	X(OGR_G_WkbSize)                       \
	X(OGR_G_ExportToWkb)                   \
	X(OGR_G_DestroyGeometry)               \
	X(OGR_GT_Flatten)                      \
	X(OGRGeometryTypeToName)

struct cc_gdal {
#define CC_GDAL_MEMBER(fn) __typeof__(fn) *fn;
	CC_GDAL_FUNCTIONS(CC_GDAL_MEMBER)
#undef CC_GDAL_MEMBER
};

/* Filled by cc__gdal_load(); read-only afterwards. */
extern struct cc_gdal cc__gdal;

/*
 * Opens libgdal, fills cc__gdal and registers GDAL's drivers, the first time it is called in
 * the process (thread-safe). Returns 0, or CC_EUNSUPPORTED when the library cannot be loaded
 * or lacks a function (the reason in err); the same answer on every later call.
 */
int cc__gdal_load(struct cc_err *err);

#endif
