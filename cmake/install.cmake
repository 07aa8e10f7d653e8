# SPDX-License-Identifier: MIT
# Installs the headers, the CMake package (adapool::adapool) and adapool.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/adapool DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS adapool EXPORT adapoolTargets)

set(adapool_cmake_dir ${CMAKE_INSTALL_DATADIR}/cmake/adapool)
install(EXPORT adapoolTargets NAMESPACE adapool:: DESTINATION ${adapool_cmake_dir})
export(EXPORT adapoolTargets NAMESPACE adapool:: FILE ${PROJECT_BINARY_DIR}/adapoolTargets.cmake)

configure_package_config_file(cmake/adapoolConfig.cmake.in ${PROJECT_BINARY_DIR}/adapoolConfig.cmake
  INSTALL_DESTINATION ${adapool_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/adapoolConfigVersion.cmake
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES ${PROJECT_BINARY_DIR}/adapoolConfig.cmake ${PROJECT_BINARY_DIR}/adapoolConfigVersion.cmake
  DESTINATION ${adapool_cmake_dir})

# pkg-config: paths relative to the .pc file, so the install tree can move.
configure_file(cmake/adapool.pc.in ${PROJECT_BINARY_DIR}/adapool.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/adapool.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
