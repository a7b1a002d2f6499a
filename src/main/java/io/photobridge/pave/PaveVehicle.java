package io.photobridge.pave;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/** Optional vehicle data for a new session (lets the user skip the VIN capture); any field may be null. */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PaveVehicle(String vin, Integer year, String make, String model) {
}
