# SPDX-License-Identifier: MIT
# Installs the headers, the CMake package (adapool::adapool, and adapool::openmp
# as the component `openmp`), adapool.pc, adapool-openmp.pc and the licence.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/adapool DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/adapool)

# Two export sets: the package loads the second, which needs OpenMP, only when
# the consumer asks for the component, so find_package(adapool) never looks for OpenMP.
set(adapool_cmake_dir ${CMAKE_INSTALL_DATADIR}/cmake/adapool)
install(TARGETS adapool EXPORT adapoolTargets)
install(TARGETS adapool_openmp EXPORT adapoolOpenMPTargets)
foreach(set adapoolTargets adapoolOpenMPTargets)
  install(EXPORT ${set} NAMESPACE adapool:: DESTINATION ${adapool_cmake_dir})
  export(EXPORT ${set} NAMESPACE adapool:: FILE ${PROJECT_BINARY_DIR}/${set}.cmake)
endforeach()

configure_package_config_file(cmake/adapoolConfig.cmake.in ${PROJECT_BINARY_DIR}/adapoolConfig.cmake
  INSTALL_DESTINATION ${adapool_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/adapoolConfigVersion.cmake
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/adapoolConfig.cmake ${PROJECT_BINARY_DIR}/adapoolConfigVersion.cmake
  DESTINATION ${adapool_cmake_dir})

# pkg-config: paths relative to the .pc file, so the install tree can move.
foreach(pc adapool adapool-openmp)
  configure_file(cmake/${pc}.pc.in ${PROJECT_BINARY_DIR}/${pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${pc}.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
endforeach()
