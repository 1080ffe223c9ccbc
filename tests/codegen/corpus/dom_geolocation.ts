// deno-lint-ignore-file -- copied as written in its source (any, {}, Function)
// DOM lib: Geolocation (callback parameters, `| null` optional callbacks).
export interface GeolocationPosition {
  readonly coords: { latitude: number; longitude: number };
  readonly timestamp: number;
}
export interface GeolocationPositionError {
  readonly code: number;
  readonly message: string;
}
export interface PositionOptions {
  enableHighAccuracy?: boolean;
  maximumAge?: number;
  timeout?: number;
}
export interface PositionCallback {
  (position: GeolocationPosition): void;
}
export interface PositionErrorCallback {
  (positionError: GeolocationPositionError): void;
}

/** Obtains the position of the device. */
export interface Geolocation {
  clearWatch(watchId: number): void;
  getCurrentPosition(
    successCallback: PositionCallback,
    errorCallback?: PositionErrorCallback | null,
    options?: PositionOptions,
  ): void;
  watchPosition(
    successCallback: PositionCallback,
    errorCallback?: PositionErrorCallback | null,
    options?: PositionOptions,
  ): number;
}

export const SOURCE = "microsoft/TypeScript src/lib/dom.generated.d.ts";
